/** What commands load on demand to talk to registries: the client and the credential store. */
export { createRegistryClient } from './client.js';
export { loadCredentialStore } from '../credentials/store.js';
