select
    id as lastfm_artist_id,
    btrim(name) as artist_name,
    nullif(url, '') as lastfm_url,
    nullif(picture_url, '') as picture_url
from {{ source('lastfm', 'artists') }}
