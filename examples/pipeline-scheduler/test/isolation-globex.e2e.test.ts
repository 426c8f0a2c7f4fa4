import { customerJourney } from './customer-journey.ts'
import { GLOBEX } from './customers.ts'

customerJourney(GLOBEX)
