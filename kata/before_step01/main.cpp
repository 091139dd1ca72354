// Nothing yet: in the first step the test comes first.
int main() {
  return 1;
}
