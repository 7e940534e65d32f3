// C++ without the standard library (the tests link with gcc): namespaces,
// classes, overloads, for function breakpoints by their C++ names.
namespace shapes {

class Circle {
public:
	explicit Circle(int r) : r_(r) {}
	int area() const {
		return 3 * r_ * r_; // BP:area
	}

private:
	int r_;
};

int scale(int v) { return v * 2; }
int scale(int v, int k) { return v * k; } // BP:scale2

} // namespace shapes

int main() {
	shapes::Circle c(2);
	int a = c.area();
	return shapes::scale(a, 1) + shapes::scale(a) == 36 ? 0 : 1;
}
