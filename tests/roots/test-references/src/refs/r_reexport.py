from refs import Base

VALUE = Base
