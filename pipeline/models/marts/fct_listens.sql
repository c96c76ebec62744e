-- Play counts per user and Last.fm artist, resolved to dim_artists where the name matched;
-- unmatched artists stay with their Last.fm name. Two sources: HetRec 2011 (listen_source
-- 'hetrec', user ids >= 0) and scrobbles from the Last.fm API (listen_source 'lastfm_api',
-- negative user ids, lastfm_artist_id null when the artist is not in HetRec).
select
    ua.user_id,
    ua.lastfm_artist_id,
    m.lastfm_artist_name,
    m.artist_id,
    m.match_method,
    ua.plays,
    'hetrec' as listen_source,
    null::text as lastfm_user,
    null::timestamptz as last_listened_at
from {{ ref('stg_lastfm__user_artists') }} ua
join {{ ref('int_lastfm_artist_matches') }} m using (lastfm_artist_id)

union all

select
    user_id,
    lastfm_artist_id,
    lastfm_artist_name,
    artist_id,
    match_method,
    plays,
    'lastfm_api' as listen_source,
    lastfm_user,
    last_listened_at
from {{ ref('int_lastfm_api_listening') }}
