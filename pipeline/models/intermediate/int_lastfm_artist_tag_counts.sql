-- How many users gave each tag to each artist, ranked within the artist.
with counts as (
    select
        ut.lastfm_artist_id,
        ut.tag_id,
        t.tag,
        count(distinct ut.user_id)::int as tag_count
    from {{ ref('stg_lastfm__user_tagged_artists') }} ut
    join {{ ref('stg_lastfm__tags') }} t on t.tag_id = ut.tag_id
    group by ut.lastfm_artist_id, ut.tag_id, t.tag
)

select
    *,
    row_number() over (partition by lastfm_artist_id order by tag_count desc, tag)::int as tag_rank
from counts
