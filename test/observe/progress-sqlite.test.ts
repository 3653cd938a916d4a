import { openTempSqlite } from '../conformance/sqlite-temp.js';
import { progressScenarios } from './progress-scenarios.js';

progressScenarios('SQLite', openTempSqlite);
