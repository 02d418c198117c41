export type { Changes, LoadedFile, SchedulerStore } from './store.js';
export { MemoryStore } from './memory-store.js';
export { SqliteStore } from './sqlite-store.js';
export { chooseStateDir, LOG_FILE, openStore, STORE_FILE } from './state-dir.js';
