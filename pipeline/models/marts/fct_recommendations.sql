-- Every track or artist the agent showed someone, resolved to the catalogue, one row per
-- (conversation, tool call, item). Items no longer in the catalogue keep their id only.
select
    r.conversation_id,
    r.turn,
    r.call_id,
    r.tool,
    r.item_kind,
    r.item_id,
    r.rank,
    r.recommended_at,
    coalesce(t.track_name, a.artist_name) as item_name,
    t.genres as track_genres,
    coalesce(t.popularity, a.popularity_max) as popularity
from {{ source('app', 'recommendations') }} r
left join {{ ref('dim_tracks') }} t on r.item_kind = 'track' and t.track_id = r.item_id
left join {{ ref('dim_artists') }} a on r.item_kind = 'artist' and a.artist_id = r.item_id
