#include "agent/session_store.hpp"

#include <random>

#include "common/text.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

std::string title_of(const std::string& text) {
  return text.size() <= 80 ? text : common::utf8_prefix(text, 77) + "...";
}

json tool_calls_json(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const auto& c : calls) out.push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
  return out;
}

void add_items(std::vector<RecommendedItem>& out, const json& list, const char* kind,
               const char* id_key) {
  if (!list.is_array()) return;
  int rank = 0;
  for (const auto& item : list) {
    ++rank;
    if (item.is_object() && item.contains(id_key) && item[id_key].is_string()) {
      out.push_back({kind, item[id_key].get<std::string>(), rank});
    }
  }
}

}  // namespace

std::string new_conversation_id() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<std::uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "c_";
  for (int i = 0; i < 16; ++i) id += kHex[rng() % 16];
  return id;
}

std::vector<RecommendedItem> recommended_items(const std::string& tool, const json& result) {
  std::vector<RecommendedItem> out;
  if (!result.is_object()) return out;
  if (tool == "recommend_by_genre" || tool == "similar_tracks") {
    add_items(out, result.value("tracks", json::array()), "track", "id");
  } else if (tool == "lookup_artist") {
    add_items(out, result.value("top_tracks", json::array()), "track", "id");
    add_items(out, result.value("similar_artists", json::object()).value("artists", json::array()),
              "artist", "artist_id");
  } else if (tool == "similar_artists") {
    add_items(out, result.value("similar", json::array()), "artist", "artist_id");
  } else if (tool == "search_catalog") {
    int rank = 0;
    for (const auto& hit : result.value("results", json::array())) {
      ++rank;
      const std::string kind = hit.value("kind", std::string());
      if ((kind == "track" || kind == "artist") && hit.contains("id")) {
        out.push_back({kind, hit["id"].get<std::string>(), rank});
      }
    }
  }
  return out;
}

Conversation PostgresSessionStore::create(const std::string& model) {
  Conversation conversation;
  conversation.id = new_conversation_id();
  auto connection = database_->lease();
  pqxx::work tx(*connection);
  tx.exec_params("insert into app.conversations (conversation_id, model) values ($1, $2)",
                 conversation.id, model);
  tx.commit();
  return conversation;
}

std::optional<Conversation> PostgresSessionStore::load(const std::string& id) {
  auto connection = database_->lease();
  pqxx::read_transaction tx(*connection);
  const auto head =
      tx.exec_params("select turns from app.conversations where conversation_id = $1", id);
  if (head.empty()) return std::nullopt;
  Conversation conversation;
  conversation.id = id;
  conversation.turns = head[0][0].as<int>();
  const auto rows = tx.exec_params(
      "select role, content, tool_calls::text, tool_call_id, tool_name from app.messages "
      "where conversation_id = $1 order by seq",
      id);
  for (const auto& row : rows) {
    ChatMessage m;
    const std::string role = row[0].as<std::string>();
    m.role = role == "user" ? Role::user : role == "assistant" ? Role::assistant : Role::tool;
    m.content = row[1].as<std::string>();
    if (!row[2].is_null()) {
      for (const auto& c : json::parse(row[2].as<std::string>())) {
        m.tool_calls.push_back({c.at("id").get<std::string>(), c.at("name").get<std::string>(),
                                c.at("arguments").get<std::string>()});
      }
    }
    if (!row[3].is_null()) m.tool_call_id = row[3].as<std::string>();
    if (!row[4].is_null()) m.name = row[4].as<std::string>();
    conversation.messages.push_back(std::move(m));
  }
  return conversation;
}

int PostgresSessionStore::save_turn(const Conversation& conversation, const TurnOutcome& turn,
                                    const std::string& model) {
  auto connection = database_->lease();
  pqxx::work tx(*connection);
  const auto& messages = conversation.messages;
  const std::string title =
      turn.first_new_message < messages.size() ? title_of(messages[turn.first_new_message].content)
                                               : std::string();
  // The conversation's row, locked until commit: concurrent saves of one conversation (another
  // worker, another server) take turns here, and each appends after the last stored message,
  // so none collides on (conversation, seq) and none is lost.
  tx.exec_params(
      "insert into app.conversations (conversation_id, model, title, turns) values ($1, $2, $3, 0) "
      "on conflict (conversation_id) do nothing",
      conversation.id, model, title);
  const auto locked = tx.exec_params1(
      "select turns from app.conversations where conversation_id = $1 for update", conversation.id);
  // A statement of its own, after the lock: its snapshot sees what a save that held the lock
  // before committed (a subquery of the locking statement would read the older snapshot).
  const auto next_seq = tx.exec_params1(
      "select coalesce(max(seq) + 1, 0) from app.messages where conversation_id = $1", conversation.id);
  const int turn_number = locked[0].as<int>() + 1;
  const int first_seq = next_seq[0].as<int>();
  tx.exec_params(
      "update app.conversations set turns = $2, updated_at = now(), model = $3, "
      "title = coalesce(title, nullif($4, '')) where conversation_id = $1",
      conversation.id, turn_number, model, title);
  for (std::size_t i = turn.first_new_message; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const std::string calls = m.tool_calls.empty() ? std::string() : tool_calls_json(m.tool_calls).dump();
    tx.exec_params(
        "insert into app.messages (conversation_id, seq, turn, role, content, tool_calls, "
        "tool_call_id, tool_name) values ($1, $2, $3, $4, $5, nullif($6, '')::jsonb, "
        "nullif($7, ''), nullif($8, ''))",
        conversation.id, first_seq + static_cast<int>(i - turn.first_new_message), turn_number,
        to_string(m.role), m.content, calls, m.tool_call_id, m.name);
  }
  for (const auto& call : turn.tool_calls) {
    tx.exec_params(
        "insert into app.tool_calls (conversation_id, turn, call_id, tool, arguments, ok, "
        "error_code, result_chars, duration_ms) values ($1, $2, $3, $4, $5::jsonb, $6, "
        "nullif($7, ''), $8, $9) on conflict do nothing",
        conversation.id, turn_number, call.id, call.name, call.arguments.dump(), call.ok,
        call.error_code, static_cast<long>(call.result_chars), call.elapsed_ms);
    if (!call.ok) continue;
    for (const auto& item : recommended_items(call.name, call.result)) {
      tx.exec_params(
          "insert into app.recommendations (conversation_id, turn, call_id, tool, item_kind, "
          "item_id, rank) values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
          conversation.id, turn_number, call.id, call.name, item.kind, item.id, item.rank);
    }
  }
  tx.commit();
  return turn_number;
}

int PostgresSessionStore::stored_turns(const std::string& id) {
  auto connection = database_->lease();
  pqxx::read_transaction tx(*connection);
  const auto rows = tx.exec_params("select turns from app.conversations where conversation_id = $1", id);
  return rows.empty() ? 0 : rows[0][0].as<int>();
}

std::vector<ConversationSummary> PostgresSessionStore::list(std::size_t limit) {
  auto connection = database_->lease();
  pqxx::read_transaction tx(*connection);
  const auto rows = tx.exec_params(
      "select conversation_id, coalesce(title, ''), coalesce(model, ''), turns, "
      "to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "from app.conversations order by updated_at desc limit $1",
      static_cast<long>(limit));
  std::vector<ConversationSummary> out;
  for (const auto& row : rows) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<int>(), row[4].as<std::string>()});
  }
  return out;
}

}  // namespace musicagent::agent
