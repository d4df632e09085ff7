import QuickupCore
import Yams
