#pragma once

#include <gtest/gtest.h>

#include <map>
#include <pqxx/pqxx>
#include <string>

#include "common/config.hpp"
#include "fixture_data.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "test_postgres.hpp"

namespace musicagent::testing {

// A fresh database and a fixture data directory per test, with helpers to run the
// pipeline and read results.
class PipelineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = TestPostgres::instance().create_database("pipeline");
    config_.home = MUSICAGENT_SOURCE_DIR;
    config_.database_url = database_url_;
    config_.data_dir = data_.path();
    write_fixture(data_.path());
  }

  pipeline::RunSummary run(pipeline::PipelineOptions options = {}) {
    if (options.data_dir.empty()) options.data_dir = config_.data_dir;
    return pipeline::run_pipeline(config_, options);
  }

  std::int64_t count(const std::string& relation_or_query) {
    pqxx::connection connection(database_url_);
    pqxx::read_transaction tx(connection);
    const bool is_query = relation_or_query.find(' ') != std::string::npos;
    return tx.exec1(is_query ? relation_or_query : "select count(*) from " + relation_or_query)[0]
        .as<std::int64_t>();
  }

  std::string scalar(const std::string& query) {
    pqxx::connection connection(database_url_);
    pqxx::read_transaction tx(connection);
    const auto row = tx.exec1(query);
    return row[0].is_null() ? "<null>" : row[0].as<std::string>();
  }

  // An order-independent fingerprint of a relation's whole content.
  std::string fingerprint(const std::string& relation) {
    return scalar("select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " +
                  relation + " t");
  }

  std::map<std::string, std::string> mart_fingerprints() {
    std::map<std::string, std::string> prints;
    for (const char* mart : {"dim_tracks", "dim_artists", "bridge_track_artists", "dim_genres",
                             "fct_listens", "artist_tags"}) {
      prints[mart] = fingerprint(std::string("marts.") + mart);
    }
    return prints;
  }

  static const pipeline::ModelOutcome* find_model(const pipeline::RunSummary& summary,
                                                  const std::string& relation) {
    for (const auto& model : summary.models) {
      if (model.model == relation) return &model;
    }
    return nullptr;
  }

  TempDir data_;
  std::string database_url_;
  common::Config config_;
};

}  // namespace musicagent::testing
