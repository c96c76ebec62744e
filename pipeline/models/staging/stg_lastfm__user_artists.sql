select
    user_id,
    artist_id as lastfm_artist_id,
    weight as plays
from {{ source('lastfm', 'user_artists') }}
