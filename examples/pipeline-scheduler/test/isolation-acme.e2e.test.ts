import { customerJourney } from './customer-journey.ts'
import { ACME } from './customers.ts'

customerJourney(ACME)
