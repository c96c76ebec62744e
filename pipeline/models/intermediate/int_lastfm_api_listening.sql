-- Last.fm API scrobbles as play counts per (user, artist name), with the artist resolved the
-- way HetRec names are (int_lastfm_artist_matches): to a HetRec artist and to a Spotify
-- artist by normalised name, the exact spelling first, then the one with most tracks.
-- API users get a negative user_id derived from their name, apart from HetRec's ids.
with listening as (
    select
        lastfm_user,
        artist_name,
        staging.normalize_artist_name(artist_name) as match_key,
        count(*)::bigint as plays,
        max(listened_at) as last_listened_at
    from {{ ref('stg_lastfm__recent_tracks') }}
    group by lastfm_user, artist_name
),

hetrec as (
    select
        staging.normalize_artist_name(artist_name) as match_key,
        min(lastfm_artist_id) as lastfm_artist_id
    from {{ ref('stg_lastfm__artists') }}
    group by 1
),

candidates as (
    select
        l.artist_name,
        s.artist_id,
        case when lower(l.artist_name) = lower(s.artist_name) then 'exact' else 'normalized' end as match_method,
        row_number() over (
            partition by l.artist_name
            order by (lower(l.artist_name) = lower(s.artist_name)) desc, s.track_count desc, s.artist_name
        ) as preference
    from (select distinct artist_name, match_key from listening) l
    join {{ ref('int_spotify_artists') }} s on s.match_key = l.match_key
)

select
    -1 - ('x' || substr(md5(lower(l.lastfm_user)), 1, 7))::bit(28)::int as user_id,
    l.lastfm_user,
    h.lastfm_artist_id,
    l.artist_name as lastfm_artist_name,
    c.artist_id,
    coalesce(c.match_method, 'unmatched') as match_method,
    l.plays,
    l.last_listened_at
from listening l
left join hetrec h on h.match_key = l.match_key
left join candidates c on c.artist_name = l.artist_name and c.preference = 1
