#include "pipeline/project_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/model.hpp"

namespace musicagent::pipeline {
namespace {

namespace fs = std::filesystem;

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A models folder in a unique temporary directory, removed even when an assertion fails.
class TempProject {
 public:
  TempProject() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("project_loader_test_" + std::to_string(::getpid()) + "_" +
                                         info->test_suite_name() + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~TempProject() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;

  const fs::path& dir() const { return root_; }

  void write(const std::string& relative, const std::string& text) const {
    const auto path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  // A sources file declaring raw_src.t1 and raw_src.t2 (read from schema raw).
  void write_sources() const {
    write("staging/_sources.yml",
          "version: 2\n"
          "sources:\n"
          "  - name: raw_src\n"
          "    schema: raw\n"
          "    tables:\n"
          "      - name: t1\n"
          "        identifier: t1__latest\n"
          "        description: first table\n"
          "      - name: t2\n");
  }

 private:
  fs::path root_;
};

std::vector<std::string> names(const Project& project) {
  std::vector<std::string> out;
  for (const auto& model : project.models) out.push_back(model.name);
  return out;
}

std::vector<std::string> names(const std::vector<const Model*>& models) {
  std::vector<std::string> out;
  for (const auto* model : models) out.push_back(model->name);
  return out;
}

std::size_t position(const Project& project, const std::string& name) {
  const auto all = names(project);
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), name) - all.begin());
}

std::string load_error(const fs::path& dir) {
  try {
    load_project(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "load_project did not throw";
  return {};
}

const Model& model_named(const Project& project, const std::string& name) {
  const Model* model = project.find(name);
  if (model == nullptr) throw std::logic_error("no model " + name);
  return *model;
}

// staging: stg_a, stg_b; intermediate: int_x; marts: a_mart, b_base, z_mart.
void write_dag(const TempProject& p) {
  p.write_sources();
  p.write("staging/stg_b.sql", "select * from {{ source('raw_src', 't2') }}\n");
  p.write("staging/stg_a.sql", "select * from {{ source('raw_src', 't1') }}\n");
  p.write("intermediate/int_x.sql", "select * from {{ ref('stg_b') }}\n");
  // a_mart sorts first by name but reads b_base, so it must come after it.
  p.write("marts/a_mart.sql",
          "select * from {{ ref('int_x') }} join {{ ref('b_base') }} using (id)\n");
  p.write("marts/b_base.sql", "select * from {{ ref('stg_a') }}\n");
  p.write("marts/z_mart.sql", "select * from {{ ref('stg_a') }}\n");
}

TEST(ProjectLoaderTest, BuildOrderPutsParentsFirstAndIsStable) {
  TempProject p;
  write_dag(p);
  const Project project = load_project(p.dir());
  // Ready models are taken by (layer, name): staging, then intermediate, then marts.
  EXPECT_THAT(names(project), ElementsAre("stg_a", "stg_b", "int_x", "b_base", "a_mart", "z_mart"));
  EXPECT_THAT(model_named(project, "a_mart").refs, ElementsAre("b_base", "int_x"));
  EXPECT_THAT(model_named(project, "stg_a").sources,
              ElementsAre(std::make_pair(std::string("raw_src"), std::string("t1"))));
  EXPECT_EQ(names(load_project(p.dir())), names(project));
}

TEST(ProjectLoaderTest, ModelsKnowTheirLayerAndRelation) {
  TempProject p;
  write_dag(p);
  p.write("marts/nested/deep.sql", "select 1\n");
  const Project project = load_project(p.dir());
  EXPECT_EQ(model_named(project, "stg_a").schema, "staging");
  EXPECT_EQ(model_named(project, "int_x").relation(), "intermediate.int_x");
  EXPECT_EQ(model_named(project, "deep").relation(), "marts.deep");
  EXPECT_EQ(model_named(project, "deep").path, p.dir() / "marts" / "nested" / "deep.sql");
  EXPECT_EQ(project.find("missing"), nullptr);
  ASSERT_EQ(project.sources.size(), 2u);
  EXPECT_EQ(project.sources[0].relation, "raw.t1__latest");
  EXPECT_EQ(project.sources[0].description, "first table");
  EXPECT_EQ(project.sources[1].relation, "raw.t2");  // identifier defaults to the name
}

TEST(ProjectLoaderTest, FoldersOutsideTheLayersAreIgnored) {
  TempProject p;
  p.write("staging/s.sql", "select 1\n");
  p.write("seeds/other.sql", "select 2\n");
  p.write("staging/README.md", "not a model\n");
  EXPECT_THAT(names(load_project(p.dir())), ElementsAre("s"));
}

TEST(ProjectLoaderTest, MissingModelsFolderThrows) {
  TempProject p;
  EXPECT_THAT(load_error(p.dir() / "nope"), HasSubstr("models folder not found"));
}

TEST(ProjectLoaderTest, MaterializationDefaultsAndOverrides) {
  TempProject p;
  p.write("staging/s_default.sql", "select 1\n");
  p.write("staging/s_table.sql", "{{ config(materialized=\"table\") }}\nselect 1\n");
  p.write("intermediate/i_default.sql", "select 1\n");
  p.write("marts/m_default.sql", "select 1\n");
  p.write("marts/m_view.sql", "{{ config(materialized='view') }}\nselect 2\n");
  p.write("marts/m_yml.sql", "select 3\n");
  p.write("marts/marts.yml",
          "models:\n"
          "  - name: m_yml\n"
          "    config:\n"
          "      materialized: view\n");
  const Project project = load_project(p.dir());
  EXPECT_EQ(model_named(project, "s_default").materialization, Materialization::view);
  EXPECT_EQ(model_named(project, "s_table").materialization, Materialization::table);
  EXPECT_EQ(model_named(project, "i_default").materialization, Materialization::table);
  EXPECT_EQ(model_named(project, "m_default").materialization, Materialization::table);
  EXPECT_EQ(model_named(project, "m_view").materialization, Materialization::view);
  EXPECT_EQ(model_named(project, "m_yml").materialization, Materialization::view);
  // The config() call is not SQL and must not reach the database.
  EXPECT_THAT(model_named(project, "m_view").sql,
              AllOf(Not(HasSubstr("config")), HasSubstr("select 2")));
}

TEST(ProjectLoaderTest, UnknownMaterializationThrowsNamingTheFile) {
  TempProject p;
  p.write("marts/m.sql", "{{ config(materialized='ephemeral') }}\nselect 1\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("m.sql"), HasSubstr("'ephemeral'")));
}

TEST(ProjectLoaderTest, SchemaFileDescriptionsColumnsAndTests) {
  TempProject p;
  p.write("marts/tracks.sql", "select 1\n");
  p.write("marts/schema.yml",
          "version: 2\n"
          "models:\n"
          "  - name: tracks\n"
          "    description: One row per track.\n"
          "    tests:\n"
          "      - row_count: {min: 1, max: 10}\n"
          "    data_tests:\n"
          "      - unique_combination_of_columns:\n"
          "          combination_of_columns: [track_id, genre]\n"
          "    columns:\n"
          "      - name: track_id\n"
          "        description: Spotify id.\n"
          "        tests: [unique, not_null]\n"
          "      - name: mode\n"
          "        data_tests:\n"
          "          - accepted_values: {values: [a, b]}\n"
          "          - accepted_range:\n"
          "              min_value: 0\n"
          "              severity: warn\n"
          "          - completeness:\n"
          "              max_missing: 0.2\n"
          "              config:\n"
          "                severity: warn\n"
          "      - name: undocumented\n");
  const Project project = load_project(p.dir());
  const Model& model = model_named(project, "tracks");
  EXPECT_EQ(model.description, "One row per track.");
  ASSERT_EQ(model.columns.size(), 3u);
  EXPECT_EQ(model.columns[0].name, "track_id");
  EXPECT_EQ(model.columns[0].description, "Spotify id.");
  EXPECT_EQ(model.columns[1].name, "mode");
  EXPECT_EQ(model.columns[1].description, "");
  EXPECT_EQ(model.columns[2].name, "undocumented");

  ASSERT_EQ(model.tests.size(), 7u);
  const auto& row_count = model.tests[0];
  EXPECT_EQ(row_count.name, "row_count");
  EXPECT_EQ(row_count.column, std::nullopt);
  EXPECT_EQ(row_count.params.at("min"), "1");
  EXPECT_EQ(row_count.params.at("max"), "10");
  EXPECT_EQ(row_count.severity, Severity::error);

  const auto& combination = model.tests[1];  // from data_tests:, an alias of tests:
  EXPECT_EQ(combination.name, "unique_combination_of_columns");
  EXPECT_EQ(combination.column, std::nullopt);
  EXPECT_THAT(combination.values, ElementsAre("track_id", "genre"));

  EXPECT_EQ(model.tests[2].name, "unique");
  EXPECT_EQ(model.tests[2].column, "track_id");
  EXPECT_TRUE(model.tests[2].params.empty());
  EXPECT_EQ(model.tests[3].name, "not_null");
  EXPECT_EQ(model.tests[3].column, "track_id");

  const auto& accepted = model.tests[4];
  EXPECT_EQ(accepted.name, "accepted_values");
  EXPECT_EQ(accepted.column, "mode");
  EXPECT_THAT(accepted.values, ElementsAre("a", "b"));
  EXPECT_EQ(accepted.severity, Severity::error);

  const auto& range = model.tests[5];
  EXPECT_EQ(range.name, "accepted_range");
  EXPECT_EQ(range.severity, Severity::warn);
  EXPECT_EQ(range.params.count("severity"), 0u);  // severity is not a test argument
  EXPECT_EQ(range.params.at("min_value"), "0");

  const auto& completeness = model.tests[6];
  EXPECT_EQ(completeness.name, "completeness");
  EXPECT_EQ(completeness.severity, Severity::warn);
  EXPECT_EQ(completeness.params.count("severity"), 0u);
  EXPECT_EQ(completeness.params.count("config"), 0u);
  EXPECT_EQ(completeness.params.at("max_missing"), "0.2");
}

TEST(ProjectLoaderTest, BadTestDefinitionsThrow) {
  TempProject p;
  p.write("marts/m.sql", "select 1\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - name: m\n"
          "    columns:\n"
          "      - name: c\n"
          "        tests:\n"
          "          - accepted_range: {min_value: 0, severity: fatal}\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("schema.yml"), HasSubstr("severity")));

  p.write("marts/schema.yml",
          "models:\n"
          "  - name: m\n"
          "    tests:\n"
          "      - {unique: {}, not_null: {}}\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("a test is a name or a map with one key"));

  p.write("marts/schema.yml", "models: [ {name: m\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("schema.yml"));
}

// The loader promises errors that name the file; yaml-cpp's own messages name only a line.
TEST(ProjectLoaderTest, SchemaFileValueErrorsNameTheFile) {
  TempProject p;
  p.write("marts/m.sql", "select 1\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - description: entry without a name\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("schema.yml"));

  p.write("marts/schema.yml",
          "models:\n"
          "  - name: m\n"
          "    config:\n"
          "      indexes:\n"
          "        - columns: [a]\n"
          "          unique: perhaps\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("schema.yml"));
}

TEST(ProjectLoaderTest, IndexesFromSchemaFile) {
  TempProject p;
  p.write("marts/dim.sql", "select 1\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - name: dim\n"
          "    config:\n"
          "      indexes:\n"
          "        - columns: [id]\n"
          "          unique: true\n"
          "        - columns: [genres]\n"
          "          type: gin\n"
          "        - columns: [a, b]\n");
  const Project project = load_project(p.dir());
  const Model& model = model_named(project, "dim");
  ASSERT_EQ(model.indexes.size(), 3u);
  EXPECT_THAT(model.indexes[0].columns, ElementsAre("id"));
  EXPECT_TRUE(model.indexes[0].unique);
  EXPECT_EQ(model.indexes[0].method, "btree");
  EXPECT_THAT(model.indexes[1].columns, ElementsAre("genres"));
  EXPECT_FALSE(model.indexes[1].unique);
  EXPECT_EQ(model.indexes[1].method, "gin");
  EXPECT_THAT(model.indexes[2].columns, ElementsAre("a", "b"));
  EXPECT_FALSE(model.indexes[2].unique);
  EXPECT_EQ(model.indexes[2].method, "btree");
}

TEST(ProjectLoaderTest, RefToUnknownModelThrowsNamingTheFile) {
  TempProject p;
  p.write("staging/s.sql", "select 1\n");
  p.write("marts/broken.sql", "select * from {{ ref('s') }} join {{ ref('nowhere') }} on true\n");
  EXPECT_THAT(load_error(p.dir()),
              AllOf(HasSubstr("broken.sql"), HasSubstr("ref('nowhere') names no model")));
}

TEST(ProjectLoaderTest, UndeclaredSourceThrows) {
  TempProject p;
  p.write_sources();
  p.write("staging/s.sql", "select * from {{ source('raw_src', 't9') }}\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("s.sql"), HasSubstr("source('raw_src', 't9')"),
                                         HasSubstr("not declared")));

  // The table exists, but under another source name.
  p.write("staging/s.sql", "select * from {{ source('other', 't1') }}\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("source('other', 't1')"));
}

TEST(ProjectLoaderTest, CycleThrowsNamingTheModels) {
  TempProject p;
  p.write("staging/ok.sql", "select 1\n");
  p.write("marts/first.sql", "select * from {{ ref('second') }}\n");
  p.write("marts/second.sql", "select * from {{ ref('third') }}\n");
  p.write("marts/third.sql", "select * from {{ ref('first') }} join {{ ref('ok') }} on true\n");
  const auto message = load_error(p.dir());
  EXPECT_THAT(message, AllOf(HasSubstr("cycle"), HasSubstr("first"), HasSubstr("second"),
                             HasSubstr("third"), Not(HasSubstr("ok"))));
}

TEST(ProjectLoaderTest, SelfReferenceIsACycle) {
  TempProject p;
  p.write("marts/loop.sql", "select * from {{ ref('loop') }}\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("cycle"), HasSubstr("loop")));
}

TEST(ProjectLoaderTest, DuplicateModelNamesThrow) {
  TempProject p;
  p.write("staging/dup.sql", "select 1\n");
  p.write("marts/dup.sql", "select 2\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("two models are named dup"),
                                         HasSubstr("staging"), HasSubstr("marts")));
}

TEST(ProjectLoaderTest, SchemaEntryWithoutSqlFileThrows) {
  TempProject p;
  p.write("marts/real.sql", "select 1\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - name: real\n"
          "  - name: ghost\n"
          "    description: no SQL for this one\n");
  EXPECT_THAT(load_error(p.dir()), AllOf(HasSubstr("schema.yml"), HasSubstr("no ghost.sql")));
}

TEST(ProjectLoaderTest, RelationshipsTestOrdersTheReferencedModelFirst) {
  TempProject p;
  // No ref() in the SQL: only the test ties a_child to z_parent.
  p.write("marts/a_child.sql", "select 1 as parent_id\n");
  p.write("marts/z_parent.sql", "select 1 as id\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - name: a_child\n"
          "    columns:\n"
          "      - name: parent_id\n"
          "        tests:\n"
          "          - relationships: {to: \"ref('z_parent')\", field: id}\n");
  const Project project = load_project(p.dir());
  EXPECT_THAT(names(project), ElementsAre("z_parent", "a_child"));
  EXPECT_THAT(model_named(project, "a_child").refs, ElementsAre("z_parent"));
}

TEST(ProjectLoaderTest, RelationshipsTestToUnknownModelThrows) {
  TempProject p;
  p.write("marts/child.sql", "select 1 as parent_id\n");
  p.write("marts/schema.yml",
          "models:\n"
          "  - name: child\n"
          "    columns:\n"
          "      - name: parent_id\n"
          "        tests:\n"
          "          - relationships: {to: \"ref('missing')\", field: id}\n");
  EXPECT_THAT(load_error(p.dir()), HasSubstr("ref('missing') names no model"));
}

TEST(ProjectLoaderTest, RenderSqlReplacesRefAndSourceWithRelations) {
  TempProject p;
  write_dag(p);
  p.write("marts/report.sql",
          "{{ config(materialized='view') }}\n"
          "select * from {{ ref('int_x') }} x\n"
          "join {{ref(\"stg_a\")}} a using (id)\n"
          "join {{  source( 'raw_src' , 't1' )  }} r using (id)\n"
          "join {{ source(\"raw_src\", \"t2\") }} r2 using (id)\n");
  const Project project = load_project(p.dir());
  const std::string sql = render_sql(model_named(project, "report"), project);
  EXPECT_EQ(sql,
            "\nselect * from intermediate.int_x x\n"
            "join staging.stg_a a using (id)\n"
            "join raw.t1__latest r using (id)\n"
            "join raw.t2 r2 using (id)\n");
  // The stored SQL keeps the template for later renders.
  EXPECT_THAT(model_named(project, "report").sql, HasSubstr("{{ ref('int_x') }}"));
}

TEST(ProjectLoaderTest, RenderSqlRejectsOtherTemplateExpressions) {
  TempProject p;
  p.write("staging/s.sql", "select 1\n");
  p.write("marts/m.sql", "select * from {{ ref('s') }} where d > '{{ var(\"since\") }}'\n");
  const Project project = load_project(p.dir());
  try {
    render_sql(model_named(project, "m"), project);
    FAIL() << "expected render_sql to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("m.sql"), HasSubstr("unsupported template expression")));
  }
  EXPECT_NO_THROW(render_sql(model_named(project, "s"), project));
}

TEST(ProjectLoaderTest, SelectModelsByNameInBuildOrder) {
  TempProject p;
  write_dag(p);
  const Project project = load_project(p.dir());
  EXPECT_THAT(names(select_models(project, {})),
              ElementsAre("stg_a", "stg_b", "int_x", "b_base", "a_mart", "z_mart"));
  EXPECT_THAT(names(select_models(project, {"z_mart", "stg_b"})), ElementsAre("stg_b", "z_mart"));
  EXPECT_THAT(names(select_models(project, {"int_x", "int_x"})), ElementsAre("int_x"));
  // Pointers refer into the project itself.
  EXPECT_EQ(select_models(project, {"int_x"}).front(), project.find("int_x"));
}

TEST(ProjectLoaderTest, SelectModelsWithPlusAddsDescendants) {
  TempProject p;
  write_dag(p);
  const Project project = load_project(p.dir());
  // stg_b -> int_x -> a_mart (transitively), but not the unrelated models.
  EXPECT_THAT(names(select_models(project, {"stg_b+"})), ElementsAre("stg_b", "int_x", "a_mart"));
  // stg_a -> b_base -> a_mart, stg_a -> z_mart.
  EXPECT_THAT(names(select_models(project, {"stg_a+"})),
              ElementsAre("stg_a", "b_base", "a_mart", "z_mart"));
  EXPECT_THAT(names(select_models(project, {"a_mart+"})), ElementsAre("a_mart"));
  // Without '+', the children are not selected.
  EXPECT_THAT(names(select_models(project, {"stg_b"})), ElementsAre("stg_b"));
}

TEST(ProjectLoaderTest, SelectUnknownModelThrowsListingKnownOnes) {
  TempProject p;
  write_dag(p);
  const Project project = load_project(p.dir());
  for (const std::string selector : {"nope", "nope+"}) {
    try {
      select_models(project, {"stg_a", selector});
      FAIL() << "expected select_models to throw for " << selector;
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), AllOf(HasSubstr("nope"), HasSubstr("no such model"),
                                  HasSubstr("stg_a, stg_b, int_x, b_base, a_mart, z_mart")));
    }
  }
}

// The project shipped in pipeline/models, found relative to this file.
fs::path real_models_dir() {
  return fs::path(MUSICAGENT_SOURCE_DIR) / "pipeline" / "models";
}

TEST(RealProjectTest, LoadsWithTheExpectedMarts) {
  ASSERT_TRUE(fs::is_directory(real_models_dir())) << real_models_dir();
  const Project project = load_project(real_models_dir());
  for (const std::string mart : {"dim_tracks", "dim_artists", "bridge_track_artists", "dim_genres",
                                 "fct_listens", "artist_tags"}) {
    const Model* model = project.find(mart);
    ASSERT_NE(model, nullptr) << mart;
    EXPECT_EQ(model->schema, "marts") << mart;
    EXPECT_EQ(model->materialization, Materialization::table) << mart;
    EXPECT_FALSE(model->description.empty()) << mart;
    EXPECT_FALSE(model->tests.empty()) << mart;
  }
  const Model& dim_tracks = model_named(project, "dim_tracks");
  EXPECT_TRUE(std::any_of(dim_tracks.indexes.begin(), dim_tracks.indexes.end(),
                          [](const IndexSpec& index) { return index.method == "gin"; }));
  EXPECT_EQ(model_named(project, "stg_spotify__tracks").materialization, Materialization::view);
}

TEST(RealProjectTest, EveryRefComesEarlierInTheOrderAndRenders) {
  const Project project = load_project(real_models_dir());
  ASSERT_FALSE(project.models.empty());
  for (std::size_t i = 0; i < project.models.size(); ++i) {
    const Model& model = project.models[i];
    for (const auto& parent : model.refs) {
      EXPECT_LT(position(project, parent), i) << model.name << " reads " << parent;
    }
    const std::string sql = render_sql(model, project);
    EXPECT_THAT(sql, AllOf(Not(HasSubstr("{{")), Not(HasSubstr("}}")))) << model.name;
  }
  // Relationships tests in marts.yml order bridge_track_artists after both dimensions.
  EXPECT_GT(position(project, "bridge_track_artists"), position(project, "dim_tracks"));
  EXPECT_GT(position(project, "bridge_track_artists"), position(project, "dim_artists"));
}

}  // namespace
}  // namespace musicagent::pipeline
