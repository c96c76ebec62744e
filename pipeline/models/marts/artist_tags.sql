-- Last.fm tags per artist with how many users applied them; artist_id is set where the
-- Last.fm artist matched a Spotify artist.
select
    tc.lastfm_artist_id,
    m.lastfm_artist_name,
    m.artist_id,
    tc.tag_id,
    tc.tag,
    tc.tag_count,
    tc.tag_rank
from {{ ref('int_lastfm_artist_tag_counts') }} tc
left join {{ ref('int_lastfm_artist_matches') }} m using (lastfm_artist_id)
