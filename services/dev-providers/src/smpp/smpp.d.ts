// Minimal types for `smpp` 0.5 (farhadi/node-smpp), which ships none: only what this folder uses.
// Names are prefixed so that another declaration of the module elsewhere merges without clashing.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  /** A decoded PDU: header fields plus the command's parameters and TLVs by name. */
  export interface SmppPdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    source_addr?: string;
    source_addr_ton?: number;
    source_addr_npi?: number;
    destination_addr?: string;
    dest_addr_ton?: number;
    dest_addr_npi?: number;
    data_coding?: number;
    esm_class?: number;
    registered_delivery?: number;
    message_id?: string;
    /** Decoded by the library according to data_coding. */
    short_message?: { message: string | Buffer; udh?: Buffer[] } | string | Buffer;
    message_payload?: { message: string | Buffer; udh?: Buffer[] } | string | Buffer;
    [param: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): SmppPdu;
  }

  export interface SmppSession extends EventEmitter {
    send(pdu: SmppPdu, responseCallback?: (pdu: SmppPdu) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
    submit_sm(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
    enquire_link(options?: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
    unbind(options?: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
  }

  export interface SmppServer extends NetServer {
    sessions: SmppSession[];
  }

  export function createServer(options: Record<string, unknown>, listener?: (session: SmppSession) => void): SmppServer;
  export function connect(options: { host?: string; port?: number; url?: string }, listener?: () => void): SmppSession;
}
