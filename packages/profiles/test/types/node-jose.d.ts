// node-jose ships no types; the tests use it the way seed 004 does, untyped.
declare module 'node-jose' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped JavaScript library
  const jose: any;
  export default jose;
}
