#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "pipeline/data_test.hpp"

namespace musicagent::pipeline {

// The advisory lock that keeps pipeline runs on one database one at a time. Any constant
// works; it only has to be the same for every musicagent process.
inline constexpr std::int64_t kPipelineLockKey = 0x6d75736963;  // "music"

// Writes run metadata to ops.* on its own connection, committing each write at once, so
// what happened survives a failed model transaction or a crash of the run.
class RunLog {
 public:
  explicit RunLog(const std::string& database_url);
  // Releases the pipeline lock explicitly: a closed connection's backend may hold it a
  // moment longer, and the next run would be refused.
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  // Takes the pipeline lock (one run at a time) and marks runs a crash left 'running' as
  // abandoned. Throws when another run holds the lock.
  void lock_and_recover();
  void bootstrap(const std::string& bootstrap_sql);

  std::int64_t start_run(const std::string& command, const std::string& data_dir);
  void finish_run(const std::string& status, const std::string& error,
                  const nlohmann::json& summary);

  std::int64_t start_step(const std::string& step, const std::string& kind);
  void finish_step(std::int64_t step_id, const std::string& status,
                   std::optional<std::int64_t> rows_in, std::optional<std::int64_t> rows_out,
                   double elapsed_ms, const std::string& error);

  void record_tests(const std::vector<TestOutcome>& tests);
  std::int64_t run_id() const { return run_id_; }

 private:
  pqxx::connection connection_;
  std::int64_t run_id_ = 0;
  bool locked_ = false;
};

}  // namespace musicagent::pipeline
