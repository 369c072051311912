// as-pect: unit specs for the AssemblyScript core (tests/core).
export default {
  entries: ["tests/core/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
