/** The HTTP level of `npm run bench`: one suite per framework (`--only http`, `--only http-fastify`...). */
export { HTTP_SUITES, type HttpSuite } from './catalogue.js';
export { HTTP_MODES } from './mode.js';
export {
  type HttpSuiteResult,
  httpBroken,
  httpFailures,
  renderHttpSuite,
  renderHttpSummary,
} from './report-http.js';
export { runHttpSuite } from './run-suite.js';
