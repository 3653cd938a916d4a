import { openTempSqlite } from '../conformance/sqlite-temp.js';
import { activityScenarios } from './activity-scenarios.js';

activityScenarios('SQLite', openTempSqlite);
