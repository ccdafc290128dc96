// C++ exceptions (unwinding through frames, destructors, rethrow, nested
// try blocks, std exceptions from the library), statically linked.
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct Tracker {
    std::string name;
    explicit Tracker(std::string n) : name(std::move(n)) {}
    ~Tracker() { std::printf("destroy %s\n", name.c_str()); }
};

struct MyError : std::runtime_error {
    int code;
    MyError(const std::string &m, int c) : std::runtime_error(m), code(c) {}
};

static int depth_throw(int n) {
    Tracker t("level" + std::to_string(n));
    if (n == 0) throw MyError("bottom reached", 42);
    return depth_throw(n - 1) + 1;
}

static void rethrower() {
    try {
        throw std::out_of_range("inner");
    } catch (const std::exception &e) {
        std::printf("rethrowing %s\n", e.what());
        throw;
    }
}

int main() {
    try {
        depth_throw(3);
    } catch (const MyError &e) {
        std::printf("caught MyError '%s' code=%d\n", e.what(), e.code);
    }

    try {
        rethrower();
    } catch (const std::out_of_range &e) {
        std::printf("caught out_of_range '%s'\n", e.what());
    }

    try {
        std::vector<int> v(3);
        (void)v.at(10);
    } catch (const std::out_of_range &) {
        std::printf("vector::at threw out_of_range\n");
    }

    try {
        std::map<std::string, int> m;
        (void)m.at("missing");
    } catch (const std::exception &e) {
        std::printf("map::at threw\n");
    }

    int caught = 0;
    for (int i = 0; i < 1000; i++) {
        try {
            if (i % 3 == 0) throw i;
            if (i % 3 == 1) throw std::string("s") + std::to_string(i);
            throw 1.5 * i;
        } catch (int x) {
            caught += x % 7;
        } catch (const std::string &s) {
            caught += (int)s.size();
        } catch (double d) {
            caught += (int)d % 5;
        }
    }
    std::printf("loop caught total=%d\n", caught);

    try {
        auto p = std::make_unique<Tracker>("heap");
        throw std::logic_error("with unique_ptr");
    } catch (const std::logic_error &e) {
        std::printf("caught logic_error '%s'\n", e.what());
    }

    try {
        try {
            throw 7;
        } catch (int x) {
            throw std::runtime_error("converted " + std::to_string(x));
        }
    } catch (const std::runtime_error &e) {
        std::printf("nested: %s\n", e.what());
    }
    return 0;
}
