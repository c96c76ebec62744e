-- Scrobbles from the Last.fm API: the user.getRecentTracks pages landed raw, one row per
-- scrobble. A page fetched again after a failed run repeats scrobbles, so each (user, time,
-- artist, track) is kept once. The playing-now entry has no date and is not a scrobble.
-- One scrobble arrives as an object, several as an array; extended pages name the artist
-- in "name" instead of "#text".
with pages as (
    select
        response_id,
        body -> 'recenttracks' as recent
    from {{ source('lastfm_api', 'responses') }}
    where endpoint = 'user.getrecenttracks' and status = 200 and body ? 'recenttracks'
),

scrobbles as (
    select
        p.response_id,
        p.recent #>> '{@attr,user}' as lastfm_user,
        t.track
    from pages p
    cross join lateral jsonb_array_elements(
        case jsonb_typeof(p.recent -> 'track')
            when 'array' then p.recent -> 'track'
            when 'object' then jsonb_build_array(p.recent -> 'track')
            else '[]'::jsonb
        end
    ) as t (track)
    where t.track #>> '{date,uts}' is not null
),

typed as (
    select
        lastfm_user,
        (track #>> '{date,uts}')::bigint as listened_uts,
        coalesce(track #>> '{artist,#text}', track #>> '{artist,name}') as artist_name,
        nullif(track #>> '{artist,mbid}', '') as artist_mbid,
        track ->> 'name' as track_name,
        nullif(track ->> 'mbid', '') as track_mbid,
        nullif(track #>> '{album,#text}', '') as album_name,
        response_id
    from scrobbles
)

select distinct on (lastfm_user, listened_uts, artist_name, track_name)
    lastfm_user,
    listened_uts,
    to_timestamp(listened_uts) as listened_at,
    artist_name,
    artist_mbid,
    track_name,
    track_mbid,
    album_name
from typed
order by lastfm_user, listened_uts, artist_name, track_name, response_id
