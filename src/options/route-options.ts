// ctx.step's `routes` (workflow/routes.ts), checked before the step runs: every problem names the
// field (`step "analyze".routes[0].maxRoutes`) and the bound.
import { checkArray, checkFunction, checkKnownKeys, checkNumber, checkObject, checkString, optionError } from './option-check.js';
import { checkErrorClasses } from './recovery-options.js';

export function checkRoutes(value: unknown, path: string): void {
  const routes = checkArray(value, path);
  if (routes.length === 0) throw optionError(path, 'must hold at least one route (got [])');
  routes.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const route = checkObject(item, at);
    checkKnownKeys(route, at, ['when', 'helper', 'maxRoutes']);
    if (route.when === undefined) throw optionError(`${at}.when`, 'is required: { errorClass?, message? }');
    const when = checkObject(route.when, `${at}.when`);
    checkKnownKeys(when, `${at}.when`, ['errorClass', 'message']);
    if (when.errorClass === undefined && when.message === undefined) throw optionError(`${at}.when`, 'must set errorClass, message or both (got {})');
    if (when.errorClass !== undefined) checkErrorClasses(when.errorClass, `${at}.when.errorClass`);
    if (when.message !== undefined && !(when.message instanceof RegExp)) checkString(when.message, `${at}.when.message`, 1000);
    if (route.helper === undefined) throw optionError(`${at}.helper`, 'is required: { name, run }');
    const helper = checkObject(route.helper, `${at}.helper`);
    checkKnownKeys(helper, `${at}.helper`, ['name', 'run']);
    checkString(helper.name, `${at}.helper.name`, 256);
    checkFunction(helper.run, `${at}.helper.run`);
    if (route.maxRoutes !== undefined) checkNumber(route.maxRoutes, `${at}.maxRoutes`, { min: 1, max: 100, integer: true });
  });
}
