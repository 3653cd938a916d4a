import { usePostgres } from '../pg/pg-fixture.js';
import { progressScenarios } from './progress-scenarios.js';

const pg = usePostgres();
progressScenarios('PostgreSQL', () => pg.openFresh({ leaseClock: 'caller' }));
