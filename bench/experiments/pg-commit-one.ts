// The "lone commitStep" statement measured by the experiments now lives in the store itself.
export { commitOneSql, commitOneValues, isLoneCall } from '../../src/store/postgres/commit-one.js';
