select
    tag_id,
    lower(btrim(tag_value)) as tag
from {{ source('lastfm', 'tags') }}
