-- The Kaggle genres, each with the averages of the tracks listed under it.
with listings as (
    select * from {{ ref('stg_spotify__tracks') }}
),

artists as (
    select l.genre, count(distinct ta.artist_id)::int as artist_count
    from listings l
    join {{ ref('int_track_artists') }} ta on ta.track_id = l.track_id
    group by l.genre
)

select
    l.genre,
    count(*)::int as listing_count,
    count(distinct l.track_id)::int as track_count,
    coalesce(max(a.artist_count), 0) as artist_count,
    round(avg(l.popularity)::numeric, 2)::float8 as avg_popularity,
    round(avg(l.danceability)::numeric, 4)::float8 as avg_danceability,
    round(avg(l.energy)::numeric, 4)::float8 as avg_energy,
    round(avg(l.valence)::numeric, 4)::float8 as avg_valence,
    round(avg(l.acousticness)::numeric, 4)::float8 as avg_acousticness,
    round(avg(l.instrumentalness)::numeric, 4)::float8 as avg_instrumentalness,
    round(avg(l.speechiness)::numeric, 4)::float8 as avg_speechiness,
    round(avg(l.liveness)::numeric, 4)::float8 as avg_liveness,
    round(avg(l.loudness_db)::numeric, 2)::float8 as avg_loudness_db,
    round(avg(l.tempo_bpm)::numeric, 2)::float8 as avg_tempo_bpm,
    round(avg(l.duration_ms))::bigint as avg_duration_ms,
    round(avg(l.is_explicit::int)::numeric, 4)::float8 as explicit_share
from listings l
left join artists a on a.genre = l.genre
group by l.genre
