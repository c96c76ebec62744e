-- The day field holds only a handful of distinct values, so the month is the real grain;
-- a few rows carry years before Last.fm existed (2002) and get no date.
select
    user_id,
    artist_id as lastfm_artist_id,
    tag_id,
    case when year >= 2002 then make_date(year, month, 1) end as tagged_month
from {{ source('lastfm', 'user_taggedartists') }}
