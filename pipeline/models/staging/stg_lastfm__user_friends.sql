select
    user_id,
    friend_id as friend_user_id
from {{ source('lastfm', 'user_friends') }}
