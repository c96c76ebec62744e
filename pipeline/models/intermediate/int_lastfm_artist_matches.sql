-- Resolves each Last.fm artist to one Spotify artist by normalised name (case, accents,
-- punctuation, "&"/"and" and a leading "The"). When several Spotify artists share the key,
-- the exact (case-insensitive) spelling wins, then the one with most tracks.
with lastfm as (
    select
        lastfm_artist_id,
        artist_name,
        staging.normalize_artist_name(artist_name) as match_key
    from {{ ref('stg_lastfm__artists') }}
),

candidates as (
    select
        l.lastfm_artist_id,
        s.artist_id,
        case when lower(l.artist_name) = lower(s.artist_name) then 'exact' else 'normalized' end as match_method,
        row_number() over (
            partition by l.lastfm_artist_id
            order by (lower(l.artist_name) = lower(s.artist_name)) desc, s.track_count desc, s.artist_name
        ) as preference
    from lastfm l
    join {{ ref('int_spotify_artists') }} s on s.match_key = l.match_key
)

select
    l.lastfm_artist_id,
    l.artist_name as lastfm_artist_name,
    c.artist_id,
    coalesce(c.match_method, 'unmatched') as match_method
from lastfm l
left join candidates c on c.lastfm_artist_id = l.lastfm_artist_id and c.preference = 1
