// Opens the connector for a server's type.
import type { Connector, ConnectorOptions, ServerAccess } from './types.ts';
import { pharosConnector } from './pharos/connector.ts';
import { printixConnector } from './printix/connector.ts';
import { printTrackerConnector } from './printtracker/connector.ts';

export function openConnector(access: ServerAccess, options: ConnectorOptions): Connector {
  switch (access.type) {
    case 'printtracker':
      return printTrackerConnector(access, options);
    case 'pharos':
      return pharosConnector(access, options);
    case 'printix':
      return printixConnector(access, options);
  }
}
