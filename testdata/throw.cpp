// C++ exceptions: thrown in a function, caught in main.
#include <cstdio>
#include <stdexcept>

namespace shop {
struct OutOfStock {
	int item;
};
} // namespace shop

int order(int item) {
	if (item > 2)
		throw shop::OutOfStock{item}; // BP:throw_custom
	if (item < 0)
		throw std::runtime_error("negative item"); // BP:throw_std
	return item * 10;
}

int main() {
	int total = 0;
	for (int item : {1, -1, 5}) {
		try {
			total += order(item);
		} catch (const std::exception &e) {
			std::printf("caught %s\n", e.what());
		} catch (const shop::OutOfStock &e) {
			std::printf("out of stock %d\n", e.item);
		}
	}
	std::printf("total %d\n", total);
	return 0;
}
