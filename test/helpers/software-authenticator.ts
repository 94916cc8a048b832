// Owns a software WebAuthn authenticator for route tests: one ES256 passkey that answers registration and sign-in options as a browser and its authenticator would.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers'

const USER_PRESENT = 0x01
const USER_VERIFIED = 0x04
const ATTESTED_CREDENTIAL = 0x40

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()
const uint32 = (n: number) => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(n)
  return bytes
}

export interface Answer {
  /** The origin the "browser" says it is on (the site's unless a test says otherwise). */
  readonly origin?: string
  /** The signature counter to report; one more than the last by default. */
  readonly counter?: number
  /** Whether the device verified the person (fingerprint, PIN). */
  readonly verified?: boolean
}

export function softwareAuthenticator(siteOrigin: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  const credentialId = isoBase64URL.fromBuffer(randomBytes(16))
  let counter = 0
  let userHandle: string | undefined

  const clientData = (type: string, challenge: string, origin: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  const flags = (answer: Answer) => USER_PRESENT | (answer.verified === false ? 0 : USER_VERIFIED)
  const nextCounter = (answer: Answer) => {
    counter = answer.counter ?? counter + 1
    return counter
  }

  return {
    credentialId,

    register(options: PublicKeyCredentialCreationOptionsJSON, answer: Answer = {}): RegistrationResponseJSON {
      userHandle = options.user.id
      const cose = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, isoBase64URL.toBuffer(jwk.x ?? '')],
          [-3, isoBase64URL.toBuffer(jwk.y ?? '')],
        ]),
      )
      const id = isoBase64URL.toBuffer(credentialId)
      const idLength = Buffer.alloc(2)
      idLength.writeUInt16BE(id.length)
      const authData = Buffer.concat([
        sha256(options.rp.id ?? ''),
        Buffer.from([flags(answer) | ATTESTED_CREDENTIAL]),
        uint32(nextCounter(answer)),
        Buffer.alloc(16), // AAGUID: none
        idLength,
        id,
        cose,
      ])
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Uint8Array | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', authData],
        ]),
      )
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: isoBase64URL.fromBuffer(
            clientData('webauthn.create', options.challenge, answer.origin ?? siteOrigin),
          ),
          attestationObject: isoBase64URL.fromBuffer(attestationObject),
          transports: ['internal'],
        },
      }
    },

    signIn(options: PublicKeyCredentialRequestOptionsJSON, answer: Answer = {}): AuthenticationResponseJSON {
      const authData = Buffer.concat([
        sha256(options.rpId ?? ''),
        Buffer.from([flags(answer)]),
        uint32(nextCounter(answer)),
      ])
      const data = clientData('webauthn.get', options.challenge, answer.origin ?? siteOrigin)
      const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), privateKey)
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: isoBase64URL.fromBuffer(data),
          authenticatorData: isoBase64URL.fromBuffer(authData),
          signature: isoBase64URL.fromBuffer(signature),
          ...(userHandle ? { userHandle } : {}),
        },
      }
    },
  }
}

export type SoftwareAuthenticator = ReturnType<typeof softwareAuthenticator>
