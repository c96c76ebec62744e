-- One row per Spotify track. The file lists a track once per genre, sometimes with
-- different popularity values (crawled at different times): the highest is kept.
with listings as (
    select * from {{ ref('stg_spotify__tracks') }}
),

genres as (
    select track_id, array_agg(distinct genre order by genre) as genres
    from listings
    group by track_id
),

best as (
    select distinct on (track_id) *
    from listings
    order by track_id, popularity desc, genre
),

credits as (
    select
        track_id,
        array_agg(artist_name order by artist_position) as artist_names,
        array_agg(artist_id order by artist_position) as artist_ids
    from {{ ref('int_track_artists') }}
    group by track_id
)

select
    b.track_id,
    b.track_name,
    b.album_name,
    coalesce(c.artist_names, '{}') as artist_names,
    coalesce(c.artist_ids, '{}') as artist_ids,
    g.genres,
    b.popularity,
    b.is_explicit,
    b.duration_ms,
    b.danceability,
    b.energy,
    b.valence,
    b.acousticness,
    b.instrumentalness,
    b.speechiness,
    b.liveness,
    b.loudness_db,
    b.tempo_bpm,
    b.musical_key,
    b.is_major,
    b.time_signature
from best b
join genres g using (track_id)
left join credits c using (track_id)
