-- Distinct Spotify artist names with their key and the normalised form used to match Last.fm.
select
    artist_id,
    min(artist_name) as artist_name,
    staging.normalize_artist_name(min(artist_name)) as match_key,
    count(distinct track_id)::int as track_count
from {{ ref('int_track_artists') }}
group by artist_id
