-- One row per Spotify artist (split from the tracks' credits), with their tracks' genres,
-- popularity and mean audio features, and Last.fm listening and tags where the name matched.
with artist_tracks as (
    select ta.artist_id, t.*
    from {{ ref('int_track_artists') }} ta
    join {{ ref('dim_tracks') }} t on t.track_id = ta.track_id
),

genre_counts as (
    select artist_id, genre, count(*) as n
    from artist_tracks, unnest(genres) as genre
    group by artist_id, genre
),

artist_genres as (
    select artist_id, array_agg(genre order by n desc, genre) as genres
    from genre_counts
    group by artist_id
),

profile as (
    select
        artist_id,
        count(*)::int as track_count,
        round(avg(popularity)::numeric, 2)::float8 as popularity_mean,
        max(popularity) as popularity_max,
        round(avg(danceability)::numeric, 4)::float8 as danceability,
        round(avg(energy)::numeric, 4)::float8 as energy,
        round(avg(valence)::numeric, 4)::float8 as valence,
        round(avg(acousticness)::numeric, 4)::float8 as acousticness,
        round(avg(instrumentalness)::numeric, 4)::float8 as instrumentalness,
        round(avg(speechiness)::numeric, 4)::float8 as speechiness,
        round(avg(liveness)::numeric, 4)::float8 as liveness,
        round(avg(loudness_db)::numeric, 2)::float8 as loudness_db,
        round(avg(tempo_bpm)::numeric, 2)::float8 as tempo_bpm,
        round(avg(is_explicit::int)::numeric, 4)::float8 as explicit_share
    from artist_tracks
    group by artist_id
),

-- Several Last.fm artists can resolve to one Spotify artist: keep the most listened one.
lastfm as (
    select distinct on (m.artist_id)
        m.artist_id,
        m.lastfm_artist_id,
        m.lastfm_artist_name,
        m.match_method,
        coalesce(l.listeners, 0) as listeners,
        coalesce(l.plays, 0) as plays
    from {{ ref('int_lastfm_artist_matches') }} m
    left join {{ ref('int_lastfm_artist_listening') }} l using (lastfm_artist_id)
    where m.artist_id is not null
    order by m.artist_id, coalesce(l.listeners, 0) desc, coalesce(l.plays, 0) desc, m.lastfm_artist_id
),

top_tags as (
    select lastfm_artist_id, array_agg(tag order by tag_rank) as tags
    from {{ ref('int_lastfm_artist_tag_counts') }}
    where tag_rank <= 10
    group by lastfm_artist_id
)

select
    s.artist_id,
    s.artist_name,
    p.track_count,
    coalesce(g.genres, '{}') as genres,
    p.popularity_mean,
    p.popularity_max,
    p.danceability,
    p.energy,
    p.valence,
    p.acousticness,
    p.instrumentalness,
    p.speechiness,
    p.liveness,
    p.loudness_db,
    p.tempo_bpm,
    p.explicit_share,
    lf.lastfm_artist_id,
    lf.lastfm_artist_name,
    lf.match_method as lastfm_match_method,
    lf.listeners as lastfm_listeners,
    lf.plays as lastfm_plays,
    coalesce(tt.tags, '{}') as lastfm_top_tags
from {{ ref('int_spotify_artists') }} s
join profile p using (artist_id)
left join artist_genres g using (artist_id)
left join lastfm lf using (artist_id)
left join top_tags tt on tt.lastfm_artist_id = lf.lastfm_artist_id
