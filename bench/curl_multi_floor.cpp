// The floor for polling: a bare libcurl multi loop doing conditional GETs over
// a list of URLs, with nothing else (no database, no parsing, no scheduling).
// bench/poll_compare.py runs it over the same URLs and validators as the daemon
// and compares CPU time per request (bench/README.md, "Polling at scale").
//
//   curl_multi_floor FILE [PARALLEL]
//
// FILE has one request per line: URL, ETag and Last-Modified separated by tabs
// (either validator may be empty). PARALLEL transfers run at once (default 8),
// on one libcurl multi handle with one connection cache, easy handles reused.
// Prints one line of JSON: requests, status counts, body bytes, user and system
// CPU seconds (getrusage) and wall seconds.
#include <curl/curl.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

struct Job {
  std::string url;
  std::string etag;
  std::string last_modified;
};

struct Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::size_t bytes = 0;
};

std::size_t on_body(char*, std::size_t size, std::size_t n, void* userp) {
  static_cast<Slot*>(userp)->bytes += size * n;
  return size * n;
}

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

void start(CURLM* multi, Slot& slot, const Job& job) {
  curl_easy_setopt(slot.easy, CURLOPT_URL, job.url.c_str());
  curl_slist_free_all(slot.headers);
  slot.headers = nullptr;
  if (!job.etag.empty())
    slot.headers = curl_slist_append(slot.headers, ("If-None-Match: " + job.etag).c_str());
  if (!job.last_modified.empty()) {
    slot.headers = curl_slist_append(slot.headers, ("If-Modified-Since: " + job.last_modified).c_str());
  }
  curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, slot.headers);
  curl_multi_add_handle(multi, slot.easy);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: curl_multi_floor FILE [PARALLEL]\n";
    return 2;
  }
  std::vector<Job> jobs;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Job job;
    std::size_t a = line.find('\t');
    job.url = line.substr(0, a);
    if (a != std::string::npos) {
      std::size_t b = line.find('\t', a + 1);
      job.etag = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
      if (b != std::string::npos) job.last_modified = line.substr(b + 1);
    }
    jobs.push_back(std::move(job));
  }
  int parallel = argc > 2 ? std::stoi(argv[2]) : 8;

  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  auto wall_start = std::chrono::steady_clock::now();

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  std::vector<Slot> slots(static_cast<std::size_t>(parallel));
  std::vector<Slot*> idle;
  for (Slot& s : slots) {
    s.easy = curl_easy_init();
    curl_easy_setopt(s.easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(s.easy, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(s.easy, CURLOPT_PRIVATE, &s);
    curl_easy_setopt(s.easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(s.easy, CURLOPT_NOSIGNAL, 1L);
    idle.push_back(&s);
  }
  std::map<long, long> statuses;
  long failures = 0;
  std::size_t bytes = 0;
  std::size_t next = 0;
  int running = 0;
  while (next < jobs.size() || running > 0) {
    while (next < jobs.size() && !idle.empty()) {
      Slot* s = idle.back();
      idle.pop_back();
      start(multi, *s, jobs[next++]);
      ++running;
    }
    int still = 0;
    curl_multi_perform(multi, &still);
    int pending = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s);
      if (msg->data.result == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        ++statuses[code];
      } else {
        ++failures;
      }
      bytes += s->bytes;
      s->bytes = 0;
      curl_multi_remove_handle(multi, msg->easy_handle);
      idle.push_back(s);
      --running;
    }
    if (running > 0 && idle.empty()) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  for (Slot& s : slots) {
    curl_slist_free_all(s.headers);
    curl_easy_cleanup(s.easy);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();

  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  std::printf("{\"requests\": %zu, \"failures\": %ld, \"statuses\": {", jobs.size(), failures);
  bool first = true;
  for (auto [code, count] : statuses) {
    std::printf("%s\"%ld\": %ld", first ? "" : ", ", code, count);
    first = false;
  }
  std::printf(
      "}, \"body_bytes\": %zu, \"user_s\": %.6f, \"sys_s\": %.6f, \"wall_s\": %.6f, \"maxrss_kb\": %ld}\n",
      bytes, seconds_of(after.ru_utime) - seconds_of(before.ru_utime),
      seconds_of(after.ru_stime) - seconds_of(before.ru_stime), wall, after.ru_maxrss);
  return failures == 0 ? 0 : 1;
}
