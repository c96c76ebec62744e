-- Schemas, run metadata and raw landing tables. Idempotent: runs at the start of every
-- pipeline run, so a new column here reaches existing databases too.

create extension if not exists unaccent;
create extension if not exists pg_trgm;

create schema if not exists raw;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists ops;
create schema if not exists app;

comment on schema raw is 'Source files as received, one batch per distinct file checksum.';
comment on schema marts is 'Modelled tables that tools and analysts read.';
comment on schema ops is 'Pipeline runs, step runs, load batches, data-test results and rejected rows.';

create table if not exists ops.pipeline_runs (
  run_id      bigserial primary key,
  started_at  timestamptz not null default now(),
  ended_at    timestamptz,
  status      text not null default 'running'
              check (status in ('running', 'success', 'failed', 'abandoned')),
  command     text not null,
  data_dir    text,
  error       text,
  summary     jsonb
);

create table if not exists ops.step_runs (
  step_id     bigserial primary key,
  run_id      bigint not null references ops.pipeline_runs (run_id),
  step        text not null,
  kind        text not null check (kind in ('bootstrap', 'load', 'model', 'test', 'index')),
  started_at  timestamptz not null default now(),
  ended_at    timestamptz,
  status      text not null default 'running'
              check (status in ('running', 'success', 'failed', 'skipped', 'unchanged')),
  rows_in     bigint,
  rows_out    bigint,
  elapsed_ms  double precision,
  error       text
);
create index if not exists step_runs_run_idx on ops.step_runs (run_id);

create table if not exists ops.load_batches (
  batch_id       bigserial primary key,
  run_id         bigint not null references ops.pipeline_runs (run_id),
  source         text not null,
  raw_table      text not null,
  file_path      text not null,
  file_checksum  text not null,
  file_bytes     bigint not null,
  rows_read      bigint not null,
  rows_loaded    bigint not null,
  rows_rejected  bigint not null,
  loaded_at      timestamptz not null default now(),
  check (rows_read = rows_loaded + rows_rejected)
);
create index if not exists load_batches_source_idx on ops.load_batches (source, batch_id desc);

create table if not exists ops.rejected_rows (
  rejected_id  bigserial primary key,
  run_id       bigint not null references ops.pipeline_runs (run_id),
  batch_id     bigint not null references ops.load_batches (batch_id),
  source       text not null,
  file_path    text not null,
  line_number  bigint not null,
  raw_text     text not null,
  reason       text not null,
  category     text not null,  -- the reason without the offending value, for grouping
  rejected_at  timestamptz not null default now()
);
create index if not exists rejected_rows_batch_idx on ops.rejected_rows (batch_id);

create table if not exists ops.test_results (
  result_id      bigserial primary key,
  run_id         bigint not null references ops.pipeline_runs (run_id),
  model          text not null,
  column_name    text,
  test_name      text not null,
  severity       text not null check (severity in ('error', 'warn')),
  status         text not null check (status in ('pass', 'fail', 'warn', 'error')),
  failing_rows   bigint,
  message        text,
  compiled_sql   text not null,
  elapsed_ms     double precision,
  tested_at      timestamptz not null default now()
);
create index if not exists test_results_run_idx on ops.test_results (run_id);

-- Raw landing tables: the source columns as typed values, plus lineage columns.
create table if not exists raw.kaggle_tracks (
  track_id text, artists text, album_name text, track_name text, popularity integer,
  duration_ms bigint, explicit boolean, danceability double precision, energy double precision,
  key integer, loudness double precision, mode integer, speechiness double precision,
  acousticness double precision, instrumentalness double precision, liveness double precision,
  valence double precision, tempo double precision, time_signature integer, track_genre text,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);
create table if not exists raw.lastfm_artists (
  id integer, name text, url text, picture_url text,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);
create table if not exists raw.lastfm_tags (
  tag_id integer, tag_value text,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);
create table if not exists raw.lastfm_user_artists (
  user_id integer, artist_id integer, weight bigint,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);
create table if not exists raw.lastfm_user_friends (
  user_id integer, friend_id integer,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);
create table if not exists raw.lastfm_user_taggedartists (
  user_id integer, artist_id integer, tag_id integer, day integer, month integer, year integer,
  _batch_id bigint not null, _run_id bigint not null, _loaded_at timestamptz not null,
  _source text not null, _file_checksum text not null, _line bigint not null
);

-- Live API responses (Spotify Web API, Last.fm API), one row per HTTP response as received:
-- the body as JSON (a string when it was not JSON), so models can re-read history, and the
-- clients reuse a 200 younger than MUSICAGENT_API_CACHE_TTL_S instead of calling again.
-- _run_id is null when a tool (not a pipeline run) made the call.
do $$
declare t text;
begin
  foreach t in array array['spotify_api_responses', 'lastfm_api_responses'] loop
    execute format(
      'create table if not exists raw.%I ('
      '  response_id bigserial primary key, endpoint text not null, request_key text not null,'
      '  status integer not null, body jsonb, fetched_at timestamptz not null default now(),'
      '  _run_id bigint, _loaded_at timestamptz not null default now(), _source text not null)', t);
    execute format('create index if not exists %I on raw.%I (endpoint, request_key, fetched_at desc)',
                   t || '_lookup_idx', t);
  end loop;
end $$;

-- High-water marks of incremental extracts, e.g. (lastfm.recent_tracks, <user>, <last uts>).
create table if not exists ops.watermarks (
  source      text not null,
  key         text not null,
  value       text not null,
  updated_at  timestamptz not null default now(),
  primary key (source, key)
);

-- Each raw table reads through a "__latest" view: the models see only the newest batch,
-- while older batches stay for history and audits.
do $$
declare t text;
begin
  foreach t in array array['kaggle_tracks', 'lastfm_artists', 'lastfm_tags', 'lastfm_user_artists',
                           'lastfm_user_friends', 'lastfm_user_taggedartists'] loop
    execute format(
      'create or replace view raw.%I as select * from raw.%I where _batch_id = '
      '(select max(batch_id) from ops.load_batches where raw_table = %L)',
      t || '__latest', t, t);
    execute format('create index if not exists %I on raw.%I (_batch_id)', t || '_batch_idx', t);
  end loop;
end $$;

-- Name matching between Last.fm (2011) and Spotify (2022): case, accents, punctuation,
-- "&"/"and" and a leading "The" differ between the two.
create or replace function staging.normalize_artist_name(name text)
returns text language sql immutable parallel safe as $$
  select nullif(
    regexp_replace(
      regexp_replace(
        replace(lower(public.unaccent('public.unaccent'::regdictionary, coalesce(name, ''))), '&', ' and '),
        '^\s*the\s+', ''),
      '[^[:alnum:]]+', '', 'g'),
    '')
$$;

-- The reader role that the SQL tool connects as: SELECT on marts, nothing else.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'musicagent_reader') then
    create role musicagent_reader login;
  end if;
exception when insufficient_privilege then
  raise notice 'cannot create role musicagent_reader (needs CREATEROLE); the SQL tool will need it';
end $$;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'musicagent_reader') then
    execute 'grant usage on schema marts to musicagent_reader';
    execute 'grant select on all tables in schema marts to musicagent_reader';
    execute 'alter default privileges in schema marts grant select on tables to musicagent_reader';
  end if;
end $$;

-- Conversations with the agent: every door (terminal, web, evaluation) writes here, and
-- marts.fct_recommendations is modelled from app.recommendations.
comment on schema app is 'Conversations, messages, tool-call audit and recommendations of the agent.';

create table if not exists app.conversations (
  conversation_id text primary key,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  title           text,
  model           text,
  turns           integer not null default 0
);

create table if not exists app.messages (
  conversation_id text not null references app.conversations (conversation_id) on delete cascade,
  seq             integer not null,
  turn            integer not null,
  role            text not null check (role in ('user', 'assistant', 'tool')),
  content         text not null,
  tool_calls      jsonb,
  tool_call_id    text,
  tool_name       text,
  created_at      timestamptz not null default now(),
  primary key (conversation_id, seq)
);

create table if not exists app.tool_calls (
  conversation_id text not null references app.conversations (conversation_id) on delete cascade,
  turn            integer not null,
  call_id         text not null,
  tool            text not null,
  arguments       jsonb,
  ok              boolean not null,
  error_code      text,
  result_chars    integer not null,
  duration_ms     double precision not null,
  called_at       timestamptz not null default now(),
  primary key (conversation_id, call_id)
);

create table if not exists app.recommendations (
  conversation_id text not null references app.conversations (conversation_id) on delete cascade,
  turn            integer not null,
  call_id         text not null,
  tool            text not null,
  item_kind       text not null check (item_kind in ('track', 'artist')),
  item_id         text not null,
  rank            integer not null,
  recommended_at  timestamptz not null default now(),
  primary key (conversation_id, call_id, item_kind, item_id)
);
