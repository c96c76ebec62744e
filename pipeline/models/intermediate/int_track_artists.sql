-- Splits the ';'-separated artists of each track into one row per artist, keeping order.
with tracks as (
    select distinct on (track_id) track_id, artists_raw
    from {{ ref('stg_spotify__tracks') }}
    where artists_raw is not null
    order by track_id, batch_id, source_line
),

split as (
    select
        t.track_id,
        btrim(a.artist_name) as artist_name,
        a.position::int as artist_position
    from tracks t
    cross join lateral unnest(string_to_array(t.artists_raw, ';')) with ordinality as a (artist_name, position)
)

select
    track_id,
    artist_name,
    -- Kaggle has names, not Spotify artist ids: a stable key derived from the exact name.
    'ar_' || left(md5(artist_name), 16) as artist_id,
    row_number() over (partition by track_id order by artist_position)::int as artist_position
from split
where artist_name <> ''
