-- The Kaggle genres, each with the averages of the tracks listed under it.
select
    s.genre,
    count(*)::int as listing_count,
    count(distinct s.track_id)::int as track_count,
    count(distinct ta.artist_id)::int as artist_count,
    round(avg(s.popularity)::numeric, 2)::float8 as avg_popularity,
    round(avg(s.danceability)::numeric, 4)::float8 as avg_danceability,
    round(avg(s.energy)::numeric, 4)::float8 as avg_energy,
    round(avg(s.valence)::numeric, 4)::float8 as avg_valence,
    round(avg(s.acousticness)::numeric, 4)::float8 as avg_acousticness,
    round(avg(s.instrumentalness)::numeric, 4)::float8 as avg_instrumentalness,
    round(avg(s.speechiness)::numeric, 4)::float8 as avg_speechiness,
    round(avg(s.liveness)::numeric, 4)::float8 as avg_liveness,
    round(avg(s.loudness_db)::numeric, 2)::float8 as avg_loudness_db,
    round(avg(s.tempo_bpm)::numeric, 2)::float8 as avg_tempo_bpm,
    round(avg(s.duration_ms))::bigint as avg_duration_ms,
    round(avg(s.is_explicit::int)::numeric, 4)::float8 as explicit_share
from {{ ref('stg_spotify__tracks') }} s
left join {{ ref('int_track_artists') }} ta on ta.track_id = s.track_id
group by s.genre
