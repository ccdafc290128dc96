// C++ kernels (see kernels.c): virtual calls, containers, strings, streams,
// exceptions, shared pointers, threads with a mutex, sort, std::function.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

static const long N = 20000000;

struct Shape { virtual ~Shape() {} virtual double area() const = 0; };
struct Sq : Shape { double s; explicit Sq(double s) : s(s) {} double area() const override { return s * s; } };
struct Ci : Shape { double r; explicit Ci(double r) : r(r) {} double area() const override { return 3.0 * r * r; } };

static double k_virtual() { std::vector<std::unique_ptr<Shape>> v; for (int i = 0; i < 1000; i++) { if (i & 1) v.emplace_back(new Sq(i)); else v.emplace_back(new Ci(i)); } double s = 0; for (long k = 0; k < N / 1000; k++) for (auto &p : v) s += p->area(); return s; }
static double k_map() { std::map<int, int> m; for (long i = 0; i < N / 20; i++) m[(i * 7919) % 100003] += 1; long s = 0; for (auto &kv : m) s += kv.first ^ kv.second; return s; }
static double k_umap() { std::unordered_map<std::string, int> m; char b[32]; for (long i = 0; i < N / 20; i++) { snprintf(b, sizeof b, "k%ld", i % 5000); m[b]++; } return m.size(); }
static double k_sstream() { long c = 0; for (long i = 0; i < N / 200; i++) { std::ostringstream o; o << i << ' ' << i * 0.5; c += o.str().size(); } return c; }
static double k_except() { long c = 0; for (long i = 0; i < N / 2000; i++) { try { throw std::runtime_error("x"); } catch (std::exception &e) { c += strlen(e.what()); } } return c; }
static double k_threads() { std::mutex m; long c = 0; std::vector<std::thread> ts; for (int t = 0; t < 2; t++) ts.emplace_back([&] { for (long i = 0; i < N / 100; i++) { std::lock_guard<std::mutex> g(m); c++; } }); for (auto &t : ts) t.join(); return c; }
static double k_sort() { std::vector<unsigned> v(N / 20); unsigned x = 1; for (auto &e : v) { x = x * 1103515245 + 12345; e = x; } std::sort(v.begin(), v.end()); return v[v.size() / 2]; }
static double k_function() { std::function<long(long)> f = [](long x) { return x * 3 + 1; }; long s = 0; for (long i = 0; i < N / 5; i++) s += f(i); return s; }

int main(int argc, char **argv) {
    const struct { const char *name; double (*f)(); } kernels[] = {
        {"virtual", k_virtual}, {"map", k_map}, {"umap", k_umap}, {"sstream", k_sstream},
        {"except", k_except}, {"threads", k_threads}, {"sort", k_sort}, {"function", k_function},
    };
    for (auto &k : kernels) {
        if (argc > 1 && !strcmp(argv[1], "--list"))
            printf("%s\n", k.name);
        else if (argc > 1 && !strcmp(argv[1], k.name))
            printf("%s %.6g\n", k.name, k.f());
    }
}
