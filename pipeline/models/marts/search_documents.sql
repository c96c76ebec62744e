-- One text document per track and per artist, for the catalogue search (FAISS) and its
-- full-text baseline. Audio features become words from a small controlled vocabulary with
-- synonyms, so "calm acoustic songs" finds low-energy, high-acousticness tracks by their words.
with track_words as (
    select
        t.*,
        concat_ws(' ',
            case when tempo_bpm < 80 then 'slow tempo, slow, downtempo'
                 when tempo_bpm < 110 then 'moderate tempo, mid-tempo'
                 when tempo_bpm < 140 then 'upbeat tempo, upbeat'
                 else 'fast tempo, fast, high bpm' end || '.',
            case when energy < 0.3 then 'low energy, calm, mellow, soft, relaxed, chill.'
                 when energy < 0.6 then 'medium energy.'
                 when energy < 0.8 then 'energetic, lively.'
                 else 'high energy, intense, powerful.' end,
            case when valence < 0.25 then 'sad, melancholic, dark, gloomy mood.'
                 when valence < 0.5 then 'moody, bittersweet mood.'
                 when valence < 0.75 then 'positive, warm, pleasant mood.'
                 else 'happy, cheerful, joyful, uplifting, feel-good mood.' end,
            case when danceability >= 0.75 then 'very danceable, dance, groovy, club.'
                 when danceability >= 0.55 then 'danceable, rhythmic.'
                 when danceability < 0.35 then 'not danceable.' end,
            case when acousticness >= 0.7 then 'acoustic, unplugged, organic sound.'
                 when acousticness < 0.1 then 'electric, produced sound.' end,
            case when instrumentalness >= 0.6 then 'instrumental, no vocals.'
                 when instrumentalness < 0.1 then 'with vocals, sung.' end,
            case when liveness >= 0.7 then 'live recording, concert.' end,
            case when speechiness >= 0.66 then 'spoken word, talk.'
                 when speechiness >= 0.33 then 'rap, spoken vocals.' end,
            case when loudness_db >= -5 then 'loud.' when loudness_db < -15 then 'quiet.' end,
            case when is_major then 'major key.' else 'minor key.' end,
            case when popularity >= 70 then 'hit, very popular, mainstream.'
                 when popularity >= 40 then 'popular.'
                 when popularity < 20 then 'obscure, underground, deep cut.' end,
            case when is_explicit then 'explicit lyrics.' else 'clean lyrics.' end,
            case when duration_ms < 150000 then 'short song.' when duration_ms > 360000 then 'long song.' end
        ) as sound
    from {{ ref('dim_tracks') }} t
),

artist_top_tracks as (
    select artist_id, string_agg(track_name, ', ' order by popularity desc, track_name) as known_for
    from (
        select b.artist_id, t.track_name, t.popularity,
               row_number() over (partition by b.artist_id order by t.popularity desc, t.track_name) as n
        from {{ ref('bridge_track_artists') }} b
        join {{ ref('dim_tracks') }} t using (track_id)
        where t.track_name is not null
    ) ranked
    where n <= 3
    group by artist_id
)

select
    'track:' || track_id as doc_id,
    'track' as kind,
    track_id as entity_id,
    coalesce(track_name, '(untitled)') as title,
    array_to_string(artist_names, ', ') as subtitle,
    concat_ws(' ',
        coalesce(track_name, '(untitled)') || ' by ' || coalesce(array_to_string(artist_names, ', '), 'unknown artist') || '.',
        case when album_name is not null then 'Album: ' || album_name || '.' end,
        'Genres: ' || array_to_string(genres, ', ') || '.',
        sound
    ) as body,
    -- What the track is like, without its names: the description channel embeds this, so
    -- rare title words cannot drown the words that describe the sound.
    concat_ws(' ', 'Genres: ' || array_to_string(genres, ', ') || '.', sound) as description,
    genres,
    popularity
from track_words

union all

select
    'artist:' || a.artist_id,
    'artist',
    a.artist_id,
    a.artist_name,
    array_to_string(a.genres[1:3], ', '),
    concat_ws(' ',
        a.artist_name || ', artist.',
        'Known for: ' || tt.known_for || '.',
        case when a.lastfm_listeners > 0 then a.lastfm_listeners || ' Last.fm listeners.' end,
        a.track_count || case when a.track_count = 1 then ' track.' else ' tracks.' end,
        ad.description),
    ad.description,
    a.genres,
    a.popularity_max
from {{ ref('dim_artists') }} a
left join artist_top_tracks tt using (artist_id)
cross join lateral (
    select concat_ws(' ',
        case when cardinality(a.genres) > 0 then 'Genres: ' || array_to_string(a.genres[1:5], ', ') || '.' end,
        case when cardinality(a.lastfm_top_tags) > 0 then 'Tags: ' || array_to_string(a.lastfm_top_tags[1:8], ', ') || '.' end,
        case when a.energy < 0.3 then 'Calm, mellow sound.' when a.energy >= 0.8 then 'High-energy, intense sound.' end,
        case when a.valence < 0.25 then 'Sad, dark mood.' when a.valence >= 0.75 then 'Happy, upbeat mood.' end,
        case when a.danceability >= 0.75 then 'Danceable.' end,
        case when a.acousticness >= 0.7 then 'Acoustic.' end,
        case when a.instrumentalness >= 0.6 then 'Instrumental.' end,
        case when a.popularity_max >= 70 then 'Popular.' end
    ) as description
) ad
