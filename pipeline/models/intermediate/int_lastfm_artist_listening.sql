-- Listening totals per Last.fm artist across the 1,892 HetRec users.
select
    lastfm_artist_id,
    count(distinct user_id)::int as listeners,
    sum(plays)::bigint as plays
from {{ ref('stg_lastfm__user_artists') }}
group by lastfm_artist_id
