import { MemoryStore } from '../../src/store/index.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance('MemoryStore', () => new MemoryStore());
