/** The node:crypto backend: synchronous, for servers (and Node clients). */
export { nodeBackend } from './backends/node.js';
