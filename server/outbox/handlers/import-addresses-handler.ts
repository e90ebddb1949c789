import type { AddressBookImport } from '../../geocoding/address-book-import.js';
import type { JobHandler } from '../jobs.js';

/** Seeds the account's address book from amoCRM (read in pages, within the rate). */
export function importAddressesHandler(importer: AddressBookImport): JobHandler<'import_addresses'> {
  return async (item, step) => void (await importer.run(item.accountId, item.payload.fieldIds, (progress) => step.save(progress)));
}
