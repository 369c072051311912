// as-pect: unit specs for the AssemblyScript core (tests/core).
export default {
  // ASPECT_ENTRIES narrows a run to some specs (a glob), e.g. ASPECT_ENTRIES=tests/core/skb.spec.ts
  entries: [process.env.ASPECT_ENTRIES || "tests/core/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
