-- HetRec play counts per user and Last.fm artist, resolved to dim_artists where the name
-- matched; unmatched artists stay with their Last.fm name.
select
    ua.user_id,
    ua.lastfm_artist_id,
    m.lastfm_artist_name,
    m.artist_id,
    m.match_method,
    ua.plays
from {{ ref('stg_lastfm__user_artists') }} ua
join {{ ref('int_lastfm_artist_matches') }} m using (lastfm_artist_id)
