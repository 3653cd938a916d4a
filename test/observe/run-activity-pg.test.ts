import { usePostgres } from '../pg/pg-fixture.js';
import { activityScenarios } from './activity-scenarios.js';

const pg = usePostgres();
// Leases on the caller's clock: the cases choose every instant.
activityScenarios('PostgreSQL', () => pg.openFresh({ leaseClock: 'caller' }));
