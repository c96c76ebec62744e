#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "common/connection_pool.hpp"

namespace musicagent::agent {

struct ConversationSummary {
  std::string id;
  std::string title;  // the first user message, cut
  std::string model;
  int turns = 0;
  std::string updated_at;  // ISO 8601
};

// A track or artist a tool showed the person, as recorded in app.recommendations.
struct RecommendedItem {
  std::string kind;  // track | artist
  std::string id;
  int rank = 0;  // 1-based within the tool's result
};

// The items of one tool result: recommend_by_genre and similar_tracks tracks, search_catalog
// hits, lookup_artist's top tracks and similar artists, similar_artists' artists.
std::vector<RecommendedItem> recommended_items(const std::string& tool,
                                               const nlohmann::json& result);

// Where conversations live between turns and processes.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Conversation create(const std::string& model) = 0;
  // nullopt when no conversation has this id.
  virtual std::optional<Conversation> load(const std::string& id) = 0;
  // Records the turn's messages, tool calls and recommended items, in one transaction, after
  // whatever the conversation already holds: when another process saved a turn since this one
  // was loaded, both are kept, this one numbered after it. Returns the turn number it got.
  virtual int save_turn(const Conversation& conversation, const TurnOutcome& turn,
                        const std::string& model) = 0;
  // How many turns are stored for the conversation (0 when none).
  virtual int stored_turns(const std::string& id) = 0;
  virtual std::vector<ConversationSummary> list(std::size_t limit) = 0;
};

// app.conversations, app.messages, app.tool_calls and app.recommendations (made by the
// pipeline's bootstrap.sql).
class PostgresSessionStore : public SessionStore {
 public:
  explicit PostgresSessionStore(std::shared_ptr<common::ConnectionPool> database)
      : database_(std::move(database)) {}
  Conversation create(const std::string& model) override;
  std::optional<Conversation> load(const std::string& id) override;
  int save_turn(const Conversation& conversation, const TurnOutcome& turn,
                const std::string& model) override;
  int stored_turns(const std::string& id) override;
  std::vector<ConversationSummary> list(std::size_t limit) override;

 private:
  std::shared_ptr<common::ConnectionPool> database_;
};

// A fresh conversation id: "c_" and 16 hex digits from a random source.
std::string new_conversation_id();

}  // namespace musicagent::agent
